// Minimal built-in pages until the full web app is built: log in, see my projects, log out.
const $ = (id) => document.getElementById(id);
let csrf = null;

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(data?.detail ?? res.statusText);
  return data;
}

async function show() {
  try {
    const me = await api('GET', '/api/me');
    csrf = me.csrfToken;
    $('who').textContent = `${me.displayName} (${me.roles.join(', ')})`;
    $('login').hidden = true;
    $('projects').hidden = false;
    const list = $('project-list');
    list.replaceChildren();
    for (const p of await api('GET', '/api/projects')) {
      const li = document.createElement('li');
      li.textContent = `${p.title} — ${p.status}`;
      list.append(li);
    }
  } catch {
    $('login').hidden = false;
    $('projects').hidden = true;
    $('who').textContent = '';
  }
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = { username: f.get('username'), password: f.get('password') };
  if (f.get('totp')) body.totp = f.get('totp');
  try {
    await api('POST', '/api/auth/login', body);
    $('login-error').textContent = '';
    await show();
  } catch (err) {
    $('login-error').textContent = err.message;
  }
});
$('logout').addEventListener('click', async () => {
  await api('POST', '/api/auth/logout').catch(() => {});
  csrf = null;
  await show();
});
show();
