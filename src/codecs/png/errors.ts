/** The one error a PNG decode or encode fails with: the message says what was wrong with the file. */
export class PngError extends Error {
  override name = 'PngError';
}
