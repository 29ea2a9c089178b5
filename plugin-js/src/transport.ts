/**
 * HTTP for the plugin: one small injectable interface, and the production implementation on
 * Obsidian's `requestUrl` (no CORS needed; `throw: false` so error bodies reach the views).
 */
import { requestUrl } from "obsidian";

export interface HttpRequest {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  text: string;
}

/** Rejects only when the server cannot be reached at all. */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export const requestUrlTransport: Transport = async (request) => {
  const response = await requestUrl({
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body,
    contentType: request.body === undefined ? undefined : "application/json",
    throw: false,
  });
  return { status: response.status, text: response.text };
};
