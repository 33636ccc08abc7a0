/** The image formats edgepix reads and writes, with their media types and file extensions. */
export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export const MIME_TYPES: Record<InputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
};

export const FILE_EXTENSIONS: Record<InputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif' };
