/** A FIFO of scheduled arrival times (ms) waiting for a free virtual user; O(1) at both ends. */
export class ArrivalQueue {
  private items: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(at: number): void {
    this.items.push(at);
  }

  peek(): number | undefined {
    return this.items[this.head];
  }

  shift(): number | undefined {
    if (this.head >= this.items.length) return undefined;
    const at = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return at;
  }
}
