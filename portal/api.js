// The portal's calls to this server's JSON API under /v1, and who is signed in.
//
// The session cookie is HttpOnly: pages never see it. A change made with it must also carry the
// session's CSRF token, kept here in memory only: the sign-in's answer gives it, and a page
// opened later asks GET /v1/session for it (readable by this origin's pages alone).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The person signed in (GET /v1/me, with their role's permissions and organisation), or null. */
export const session = { me: null, csrf: null, ended: () => {} };

export function can(permission) {
  return session.me !== null && session.me.permissions.includes(permission);
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  let answer;
  try {
    answer = await fetch(path, { method, headers, cache: "no-store", credentials: "same-origin",
                                 body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "unreachable", "the server could not be reached; try again");
  }
  const data = await answer.json().catch(() => null);
  if (answer.ok) return data;
  const error = new ApiError(answer.status, data?.error?.code ?? "unknown", data?.error?.message ?? `the server answered ${answer.status}`);
  if (error.status === 401 && session.me) {
    session.me = null;
    session.csrf = null;
    session.ended();
  }
  throw error;
}

/** `path` with the query's parameters that have a value. */
export function query(path, parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters))
    if (value !== undefined && value !== null && value !== "") search.set(name, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Signs in; answers the person, or throws the refusal (totp_required when a code is needed). */
export async function signIn(body) {
  const opened = await api("POST", "/v1/sessions", body);
  session.csrf = opened.csrf_token;
  session.me = await api("GET", "/v1/me");
  return session.me;
}

/** The session this browser already holds (a reload, a new tab), or null when there is none. */
export async function sessionResume() {
  try {
    const current = await api("GET", "/v1/session");
    session.csrf = current.csrf_token;
    session.me = await api("GET", "/v1/me");
    return session.me;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export async function signOut() {
  await api("DELETE", "/v1/session");
  session.me = null;
  session.csrf = null;
}
