/** The console's entry: sign in with the admin token, then upload, browse and build URLs. */
import { api, ApiError, onUnauthorized, token } from './api.js';
import { setUpDetail } from './detail.js';
import { setUpGallery } from './gallery.js';
import { setUpUpload } from './upload.js';

const $ = (id) => document.getElementById(id);

function showWorkspace(signedIn) {
  $('sign-in').hidden = signedIn;
  $('workspace').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
}

function start() {
  const gallery = setUpGallery({ onOpen: (key, opener, name) => detail.open(key, opener, name).catch((error) => {
    $('library-status').textContent = `Could not open ${key}: ${error.message}`;
  }) });
  const detail = setUpDetail({
    onDeleted(key, message) {
      gallery.remove(key);
      $('library-status').textContent = message;
    },
  });
  setUpUpload({ onStored: (image) => gallery.add(image) });

  onUnauthorized(() => {
    token.clear();
    if ($('detail').open) $('detail').close();
    showWorkspace(false);
    $('sign-in-error').textContent = 'The admin token was refused (401). Sign in again.';
    $('token').focus();
  });

  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = $('token').value.trim();
    $('sign-in-error').textContent = '';
    try {
      await api('/images?limit=1', { tokenOverride: candidate });
    } catch (error) {
      $('sign-in-error').textContent = error instanceof ApiError && error.status === 401
        ? 'That token was refused: use the ADMIN_TOKEN the worker runs with.'
        : `Could not sign in: ${error.message}`;
      return;
    }
    token.set(candidate);
    $('token').value = '';
    showWorkspace(true);
    $('main').focus();
    gallery.reload();
  });

  $('sign-out').addEventListener('click', () => {
    token.clear();
    showWorkspace(false);
    $('token').focus();
  });

  if (token.get()) {
    showWorkspace(true);
    gallery.reload();
  } else {
    showWorkspace(false);
  }
}

start();
