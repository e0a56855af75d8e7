/** Not built yet: see the open issue for this component. */
export async function main(_argv: string[]): Promise<number> {
  console.error("peakwatch: this command is not available yet");
  return 2;
}
