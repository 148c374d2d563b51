// The example server's API: /v1/filter/check, /v1/filter/complete and the
// list endpoints. Every call takes an AbortSignal, so that the editor can
// drop a request a newer one makes pointless.

// This module is /ui/api.js: the API is at /v1/ beside /ui/, wherever the
// app is mounted.
const ROOT = new URL("../", import.meta.url);

/** The response header with the next page's token, as in Nomad's API. */
export const NEXT_TOKEN_HEADER = "X-Nomad-Nexttoken";

/** A request the server refused (`status`, `body`: its JSON error) or never answered. */
export class ApiError extends Error {
  constructor(message, status = 0, body = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

/** Whether `error` only says that the request was aborted on purpose. */
export function isAbort(error) {
  return error instanceof DOMException && error.name === "AbortError";
}

async function getJson(path, params, signal) {
  const url = new URL(path, ROOT);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) {
      url.searchParams.set(name, String(value));
    }
  }
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    if (isAbort(error)) {
      throw error;
    }
    throw new ApiError(`the server did not answer (${error.message})`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    if (isAbort(error)) {
      throw error;
    }
    body = null;
  }
  if (!response.ok) {
    const message =
      body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
    throw new ApiError(message, response.status, body);
  }
  return { body, headers: response.headers };
}

/** `{diagnostics, canonical}` for `filter` on `resource`. */
export async function checkFilter(resource, filter, signal) {
  const { body } = await getJson("v1/filter/check", { resource, filter }, signal);
  return body;
}

/** The completions at code point `cursor` of `filter`. */
export async function completeFilter(resource, filter, cursor, signal) {
  const { body } = await getJson("v1/filter/complete", { resource, filter, cursor }, signal);
  return body.completions;
}

/**
 * One page of `resource`: `{records, nextToken}`, nextToken null on the
 * last page. `filter`, `perPage` and `nextToken` are left out when null.
 */
export async function listPage(resource, { filter, perPage, nextToken }, signal) {
  const params = { filter, per_page: perPage, next_token: nextToken };
  const { body, headers } = await getJson(`v1/${encodeURIComponent(resource)}`, params, signal);
  return { records: body, nextToken: headers.get(NEXT_TOKEN_HEADER) };
}
