/** What the caller does with one line of input. */
export type CallerAction =
  | { kind: "press"; keys: string }
  | { kind: "say"; text: string }
  | { kind: "silence" }
  | { kind: "hangup" }
  | { kind: "invalid"; reason: string };

export const INPUT_HELP = 'type digits, * or # to press keys, "say <words>" to speak, an empty line to stay silent, or "hangup"';

/**
 * Reads one line the caller typed: keys (`1`, `123#`, `1 2 3`), `say <words>`, an empty line
 * (silence) or `hangup`. Surrounding white space (and a CR from CRLF input) is ignored.
 */
export function parseCallerLine(line: string): CallerAction {
  const text = line.trim();
  if (text === "") return { kind: "silence" };
  if (/^hang\s*up$/i.test(text)) return { kind: "hangup" };
  const say = /^say(?:\s+([\s\S]*))?$/i.exec(text);
  if (say !== null) {
    const words = (say[1] ?? "").trim();
    return words === "" ? { kind: "invalid", reason: 'say what? e.g. "say sales"' } : { kind: "say", text: words };
  }
  if (/^[0-9*#][0-9*#\s]*$/.test(text)) return { kind: "press", keys: text.replace(/\s+/g, "") };
  return { kind: "invalid", reason: `not understood: ${INPUT_HELP}` };
}

/**
 * Lines in arrival order. Lines that arrive before the call needs them (a pipe delivers a whole
 * script at once) are kept until asked for; none is lost or reordered.
 */
export class LineQueue {
  private readonly lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;

  /** Adds a line; ignored after {@link end}. */
  push(line: string): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter(line);
    } else {
      this.lines.push(line);
    }
  }

  /** No more lines will come (end of input). Lines already queued can still be read. */
  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }

  /** The next line, waiting for it if needed; undefined once the input has ended and the queue is empty. */
  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    if (this.waiter !== undefined) return Promise.reject(new Error("LineQueue.next: already waiting for a line"));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Lines received and not read yet. */
  get pending(): number {
    return this.lines.length;
  }
}
