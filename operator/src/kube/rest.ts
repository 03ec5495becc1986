/**
 * A small typed REST client over node:http(s) with the credentials of a client-node KubeConfig.
 * Server-side apply, create-only, merge patch, subresources and selectors are explicit here,
 * which the generic client-node object API hides (and it would re-serialize through its models).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../render/meta.js';
import { resourcePath, type ObjectRef } from './resources.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    finalizers?: string[];
    deletionTimestamp?: string;
    managedFields?: ManagedFieldsEntry[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

/** A non-2xx answer of the API server, with its Status body when there is one. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: { causes?: { field?: string; message?: string; reason?: string }[] },
  ) {
    super(message);
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;

interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export class KubeRest {
  /** One keep-alive agent: a reconcile makes ~30 requests, a TLS handshake each would dominate. */
  private agent: https.Agent | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly fieldManager = FIELD_MANAGER,
  ) {}

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(options);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) {
      options.headers = {
        ...options.headers,
        'Content-Type': opts.contentType ?? 'application/json',
        'Content-Length': Buffer.byteLength(payload),
      };
    }
    const lib = url.protocol === 'http:' ? http : https;
    if (lib === https && !options.agent) options.agent = this.agentFor(options);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = lib.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
    let body: Record<string, unknown> = {};
    try {
      if (text) body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // e.g. "404 page not found" for a group/version that is not served (CRD not installed)
      body = { message: `${method} ${path}: HTTP ${status}: ${text.trim().slice(0, 200)}` };
    }
    if (status < 200 || status >= 300) {
      const message = typeof body.message === 'string' ? body.message : `${method} ${path}: HTTP ${status}`;
      throw new KubeApiError(
        status,
        String(body.reason ?? ''),
        message,
        body.details as KubeApiError['details'],
      );
    }
    return body as T;
  }

  private agentFor(o: https.RequestOptions): https.Agent {
    this.agent ??= new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      pfx: o.pfx,
      passphrase: o.passphrase,
      rejectUnauthorized: o.rejectUnauthorized,
      servername: o.servername,
    });
    return this.agent;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** The object, or undefined when it (or its kind) does not exist. */
  async get<T = KubeObject>(ref: ObjectRef, subresource?: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(ref, subresource));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list<T = KubeObject>(
    ref: ObjectRef,
    labelSelector?: string,
  ): Promise<{ items: T[]; metadata: { resourceVersion?: string } }> {
    const out = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>(
      'GET',
      resourcePath({ ...ref, name: undefined }),
      {
        query: { labelSelector },
      },
    );
    return { items: out.items ?? [], metadata: out.metadata ?? {} };
  }

  /** Server-side apply of a fully specified intent under our field manager. */
  apply<T = KubeObject>(
    obj: KubeObject,
    opts: { force: boolean; subresource?: string; dryRun?: boolean },
  ): Promise<T> {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
    };
    return this.request<T>('PATCH', resourcePath(ref, opts.subresource), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: {
        fieldManager: this.fieldManager,
        force: opts.force ? 'true' : undefined,
        dryRun: opts.dryRun ? 'All' : undefined,
      },
    });
  }

  /** POST; undefined when an object of that name already exists (create-only semantics). */
  async create<T = KubeObject>(obj: KubeObject): Promise<T | undefined> {
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace };
    try {
      return await this.request<T>('POST', resourcePath(ref), {
        body: obj,
        query: { fieldManager: this.fieldManager },
      });
    } catch (e) {
      if (isConflict(e) && (e as KubeApiError).reason === 'AlreadyExists') return undefined;
      throw e;
    }
  }

  async replace<T = KubeObject>(obj: KubeObject): Promise<T> {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
    };
    return this.request<T>('PUT', resourcePath(ref), {
      body: obj,
      query: { fieldManager: this.fieldManager },
    });
  }

  /** RFC 7386 merge patch (with metadata.resourceVersion in the patch for optimistic concurrency). */
  mergePatch<T = KubeObject>(ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref, subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: this.fieldManager },
    });
  }

  /** Deletes; false when it was already gone. */
  async delete(
    ref: ObjectRef,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    try {
      await this.request('DELETE', resourcePath(ref), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}
