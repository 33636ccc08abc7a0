/** Where the Cloudflare-style URL dialect is mounted: edgepix's `/img/`, and Cloudflare Images' own `/cdn-cgi/image/`. */
export const IMAGE_MOUNTS = ['/img', '/cdn-cgi/image'] as const;

/** The mount at the start of a path, with its slash; what follows is `<options>/<source>`. */
export const IMAGE_PATH = /^\/(?:img|cdn-cgi\/image)\//;
