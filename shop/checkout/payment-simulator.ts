import { createHmac, randomBytes } from "node:crypto";
import type { Switchboard } from "../faults/switchboard.ts";

export type ChargeResult =
  | { outcome: "succeeded"; reference: string }
  | { outcome: "declined" }
  | { outcome: "unreachable" };

export interface ChargeRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  paymentToken: string;
}

/**
 * A stand-in payment provider in the shop's process. It signs each charge (a real HMAC, as
 * a provider's API request would be) and obeys the payment fault switches: declines a
 * percentage of charges, or stops answering so the caller waits out its timeout.
 */
export class PaymentSimulator {
  private readonly signingKey = randomBytes(32);

  constructor(
    private readonly board: Switchboard,
    private readonly timeoutMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Never throws: an unanswered call resolves as "unreachable" after the timeout. */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (this.board.get("payment_unreachable")) {
      await new Promise((resolve) => setTimeout(resolve, this.timeoutMs));
      return { outcome: "unreachable" };
    }
    const failure = this.board.get("payment_failure");
    if (failure && this.random() * 100 < failure.percentage) return { outcome: "declined" };
    if (!request.paymentToken.startsWith("tok_")) return { outcome: "declined" };
    const signature = createHmac("sha256", this.signingKey)
      .update(`${request.orderId}:${request.amountCents}:${request.currency}:${request.paymentToken}`)
      .digest("hex");
    return { outcome: "succeeded", reference: `ch_${signature.slice(0, 24)}` };
  }
}
