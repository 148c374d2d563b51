// Offsets in the filter. The server counts code points (Python's str);
// JavaScript strings, the input's caret and setRangeText count UTF-16 code
// units, which differ as soon as the text holds a character beyond U+FFFF
// (an emoji in a string, say). These convert between the two.

/** The code points of `text`, one string each. */
export function codePoints(text) {
  return Array.from(text);
}

/** The code-point offset of the UTF-16 offset `index` in `text`. */
export function toCodePoints(text, index) {
  return Array.from(text.slice(0, index)).length;
}

/** The UTF-16 offset of the code-point offset `offset` in `text`. */
export function toUtf16(text, offset) {
  return Array.from(text).slice(0, offset).join("").length;
}

/** `text` from code point `start` to code point `end` (exclusive). */
export function sliceCodePoints(text, start, end) {
  return Array.from(text).slice(start, end).join("");
}
