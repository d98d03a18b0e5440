import type { FastifyReply } from 'fastify'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
/** Text from outside (a client's name, a host) as HTML text or attribute value. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)

/**
 * No scripts, no framing (clickjacking the Allow button), no referrer (the page URL holds the
 * client's state). No form-action: browsers apply it to the redirect that follows the post, and the
 * redirect goes to the client's own URL.
 */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store'
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem .8rem;border-radius:4px}
label{display:block;margin:1rem 0 .3rem;font-weight:600}input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
.row{margin:1rem 0}button{padding:.5rem 1.2rem;font-size:1rem;margin-right:.5rem}.muted{color:#666;font-size:.9rem}`

function page (title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`
}

export interface ConsentView {
  clientName: string
  redirectHost: string
  registryHost: string
  /** The catalog's page that shows a one-time login code, when the stack names its catalog. */
  codePageUrl?: string
  /** The sealed authorization request, posted back with the form. */
  request: string
  /** Whether writing was asked for (the box to untick is shown then). */
  writeAsked: boolean
  writeChecked: boolean
  error?: string
}

export function sendConsentPage (reply: FastifyReply, view: ConsentView, status = 200): FastifyReply {
  const where = view.codePageUrl !== undefined
    ? `<a href="${escapeHtml(view.codePageUrl)}" target="_blank" rel="noopener">the catalog's code page</a>`
    : 'the catalog\'s <code>/code</code> page'
  const body = `<h1>Sign in to Quilt</h1>
<p><strong>${escapeHtml(view.clientName)}</strong> asks to use the Quilt catalog at <strong>${escapeHtml(view.registryHost)}</strong> as you.
After you allow it, you are sent back to <strong>${escapeHtml(view.redirectHost)}</strong>.</p>
${view.error !== undefined ? `<p class="error" role="alert" id="error">${escapeHtml(view.error)}</p>` : ''}
<form method="post" action="authorize">
<input type="hidden" name="request" value="${escapeHtml(view.request)}">
<label for="credential">Login code or API key</label>
<input type="password" id="credential" name="credential" autocomplete="off" autofocus required>
<p class="muted">Open ${where} while signed in to the catalog and paste the code it shows, or paste a Quilt API key (<code>qk_...</code>).</p>
${view.writeAsked ? `<div class="row"><label style="display:inline;font-weight:normal"><input type="checkbox" name="write" value="on"${view.writeChecked ? ' checked' : ''}> Allow changes (create, update and delete packages). Untick for read-only access.</label></div>` : '<p class="muted">Read-only access: this app asked for no changes.</p>'}
<div class="row"><button type="submit" name="action" value="allow">Allow</button><button type="submit" name="action" value="deny" formnovalidate>Cancel</button></div>
</form>`
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page('Sign in to Quilt', body))
}

/** A sign-in that cannot go on and cannot be sent back to the client (unknown client, unregistered redirect). */
export function sendErrorPage (reply: FastifyReply, message: string, status = 400): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8')
    .send(page('Sign-in failed', `<h1>Sign-in failed</h1><p class="error" role="alert" id="error">${escapeHtml(message)}</p><p>Start the sign-in again from your app.</p>`))
}
