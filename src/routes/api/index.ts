/** The management API under /api/v1: every route but the OpenAPI document needs a bearer token. */
import { Hono } from 'hono';
import { authenticate, type ApiEnv } from '../../security/auth';
import { imageDeleteRoutes } from './images-delete';
import { imageReadRoutes } from './images-read';
import { imageWriteRoutes } from './images-write';
import { jobRoutes } from './jobs';
import { openApiDocument } from './openapi-document';
import { signRoutes } from './sign';
import { uploadTokenRoutes } from './upload-tokens';
import { variantRoutes } from './variants';

export const apiRoutes = new Hono<ApiEnv>()
  .get('/openapi.json', (c) => c.json(openApiDocument))
  .use('/images', authenticate)
  .use('/images/*', authenticate)
  .use('/upload-tokens', authenticate)
  .use('/sign', authenticate)
  .use('/jobs/*', authenticate)
  .use('/variants', authenticate)
  .route('/images', imageWriteRoutes)
  .route('/images', imageReadRoutes)
  .route('/images', imageDeleteRoutes)
  .route('/upload-tokens', uploadTokenRoutes)
  .route('/sign', signRoutes)
  .route('/jobs', jobRoutes)
  .route('/variants', variantRoutes);
