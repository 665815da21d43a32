// A skill that throws: the exception must reach the user, made safe,
// before grove's crash message. The message carries terminal control
// sequences, as a hostile skill's output would.

export function describe() {
  return { name: "crash", version: "0.0.1", summary: "Throws", usage: "", permissions: [] };
}

function deeper(depth) {
  if (depth === 0) throw new TypeError("the answer was \x1b[31mred\x1b[0m\x1b]0;owned\x07 and wrong");
  deeper(depth - 1);
}

export function run(invocation) {
  deeper(2);
  return { summary: "unreachable", success: true };
}
