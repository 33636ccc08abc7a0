/** CORS of every image URL (/img, /cdn-cgi/image, Thumbor's): any origin may read them; they only answer GET and HEAD. */
export const IMAGE_CORS = { origin: '*', allowMethods: ['GET', 'HEAD'] } satisfies { origin: '*'; allowMethods: string[] };
