import { css, html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";

/**
 * A table wider than its screen scrolls sideways in here, on its own: the view's headings and
 * buttons stay put. While more of the table lies to one side, a shadow shows at that edge (the
 * cue a phone's hidden scrollbar does not give), and the box takes keyboard focus so arrow keys
 * scroll it. A table that fits looks and behaves as if unwrapped.
 *
 * @slot - the table
 */
@customElement("pw-table-scroll")
export class PwTableScroll extends LitElement {
  static override styles = css`
    :host {
      display: block;
      overflow-x: auto;
      max-width: 100%;
      scrollbar-width: thin;
      /* "scroll": the shadows stay at the box's edges while the table moves under them. */
      background-image: var(--shadow-left, none), var(--shadow-right, none);
      background-position:
        left center,
        right center;
      background-size: 1rem 100%;
      background-repeat: no-repeat;
      background-attachment: scroll;
    }
    :host([more-left]) {
      --shadow-left: radial-gradient(farthest-side at 0 50%, var(--pw-scroll-shadow), transparent);
    }
    :host([more-right]) {
      --shadow-right: radial-gradient(farthest-side at 100% 50%, var(--pw-scroll-shadow), transparent);
    }
    :host(:focus-visible) {
      outline: 3px solid var(--pw-focus);
      outline-offset: 2px;
    }
  `;

  /** What the table holds, for the scroll region's accessible name ("Alerts", "Users"). */
  @property() label = "Table";

  private readonly resize = new ResizeObserver(() => this.markScrollable());
  private readonly onScroll = () => this.markScrollable();

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
    this.addEventListener("scroll", this.onScroll, { passive: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    this.removeEventListener("scroll", this.onScroll);
  }

  override updated(): void {
    this.markScrollable();
  }

  override render() {
    return html`<slot @slotchange=${this.observeTable}></slot>`;
  }

  private observeTable(): void {
    for (const child of this.children) this.resize.observe(child);
    this.markScrollable();
  }

  /**
   * Shadows on the sides with more to see; only a box that scrolls is a tab stop and a named
   * region, so a table that fits adds nothing.
   */
  private markScrollable(): void {
    const { scrollLeft, scrollWidth, clientWidth } = this;
    const scrolls = scrollWidth > clientWidth + 1;
    this.toggleAttribute("more-left", scrolls && scrollLeft > 1);
    this.toggleAttribute("more-right", scrolls && scrollLeft + clientWidth < scrollWidth - 1);
    if (scrolls) {
      this.tabIndex = 0;
      this.setAttribute("role", "region");
      this.setAttribute("aria-label", `${this.label} (scrolls sideways)`);
    } else {
      this.removeAttribute("tabindex");
      this.removeAttribute("role");
      this.removeAttribute("aria-label");
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-table-scroll": PwTableScroll;
  }
}
