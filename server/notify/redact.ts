/**
 * Error text may quote the URL it failed on (undici, nodemailer, receivers echoing the request),
 * and channel URLs are secrets: keep only scheme and host of every URL in `text`, and mask
 * anything that looks like credentials or a token parameter.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(
      /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#"'<>]*)[^\s"'<>]*/gi,
      (_all, scheme: string, authority: string) => {
        const host = authority.includes("@") ? authority.slice(authority.lastIndexOf("@") + 1) : authority;
        return `${scheme}://${host}/…`;
      },
    )
    .replace(
      /\b(token|key|secret|password|passwd|pass|auth|authorization|signature|sig)=([^\s&"']+)/gi,
      "$1=…",
    )
    .replace(/\bBearer\s+\S+/gi, "Bearer …");
}

/** Scheme and host of a URL, safe to show ("https://hooks.slack.com"). */
export function urlHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "";
  }
}
