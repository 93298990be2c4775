import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { merge, type Observable } from 'rxjs';
import {
  JsonRpcErrorCode,
  ResourceContentsCodec,
  type Annotations,
  type JsonObject,
  type Resource,
  type ResourceContents,
  type ResourceTemplate,
} from '../../protocol/index.js';
import { quotePeerText } from '../../transport/index.js';
import { describeErrors } from './describe-errors.js';
import type { HandlerContext } from '../server/requests/handler-context.js';
import { InputRequiredError, McpError } from '../mcp-error.js';
import { checkCompleters, type Completers } from './completions.js';
import { paginate, type Page } from './paging.js';
import { Registry } from './registry.js';
import { parseUriTemplate, type UriTemplate } from './uri-template.js';

/** How a resource (or a template) is described in `resources/list`. */
export interface ResourceDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  readonly size?: number;
  readonly annotations?: Annotations;
  readonly _meta?: JsonObject;
}

/** How a resource template is described; `complete` suggests values for its variables. */
export interface ResourceTemplateDefinition extends Omit<ResourceDefinition, 'size'> {
  /**
   * Completers by variable name, for `completion/complete` (`ref/resource` with this template).
   * Every name must be one of the template's variables (checked at registration).
   */
  readonly complete?: Completers;
}

/** What a reader returns: text (with the definition's MIME type), contents, or `{ contents }`. */
export type ResourceReply = string | ResourceContents[] | { readonly contents: ResourceContents[] };

/** Reads a fixed resource; throw `ResourceNotFoundError` when there is nothing at `uri` after all. */
export type ResourceReader = (uri: string, ctx: HandlerContext) => ResourceReply | Promise<ResourceReply>;
/** Reads a URI a template matched; `variables` holds the values of its `{var}` parts. */
export type ResourceTemplateReader = (
  uri: string,
  variables: Record<string, string>,
  ctx: HandlerContext,
) => ResourceReply | Promise<ResourceReply>;

/** A registered resource; `remove()` takes it away (and tells listening clients). */
export interface RegisteredResource {
  readonly uri: string;
  /** Sends `notifications/resources/updated` to every client subscribed to this URI. */
  notifyUpdated(): void;
  /** Removes this resource (not a later one registered at its URI); returns whether it did. */
  remove(): boolean;
}

/** A registered resource template; `remove()` takes it away (and tells listening clients). */
export interface RegisteredResourceTemplate {
  readonly uriTemplate: string;
  /** Removes this template (not a later one registered under the same template); returns whether it did. */
  remove(): boolean;
}

interface ResourceEntry {
  readonly listing: Resource;
  readonly read: ResourceReader;
}

interface TemplateEntry {
  readonly listing: ResourceTemplate;
  readonly template: UriTemplate;
  readonly completers: Completers;
  readonly read: ResourceTemplateReader;
}

const ContentsCodec = t.array(ResourceContentsCodec);

/**
 * Thrown by `read` for a URI nothing serves; the server picks the code its revision uses and answers
 * `Resource not found` with the URI, cut to 128 characters, in `data.uri`.
 */
export class ResourceNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundError';
  constructor(readonly uri: string) {
    super(`Resource not found: ${uri}`);
  }
}

/** The server's resources and resource templates: listing (sorted, paged) and reading. */
export class ResourceRegistry {
  private readonly resources = new Registry<ResourceEntry>('resource');
  private readonly templates = new Registry<TemplateEntry>('resource template');
  /** Any change to resources or templates (both are announced as `resources/list_changed`). */
  readonly changed$: Observable<void> = merge(this.resources.changed$, this.templates.changed$);

  constructor(
    private readonly onFailure: (error: unknown, context: string) => void,
    private readonly notifyUpdated: (uri: string) => void,
  ) {}

  add(uri: string, definition: ResourceDefinition, read: ResourceReader): RegisteredResource {
    const entry: ResourceEntry = { listing: { uri, ...definition }, read };
    this.resources.add(uri, entry);
    return {
      uri,
      notifyUpdated: () => this.notifyUpdated(uri),
      remove: () => this.resources.get(uri) === entry && this.resources.remove(uri),
    };
  }

  addTemplate(uriTemplate: string, definition: ResourceTemplateDefinition, read: ResourceTemplateReader): RegisteredResourceTemplate {
    const { complete, ...described } = definition;
    const template = parseUriTemplate(uriTemplate);
    const completers = checkCompleters(complete, template.variables, `Resource template ${JSON.stringify(uriTemplate)}`, 'variables');
    const entry: TemplateEntry = { listing: { uriTemplate, ...described }, template, completers, read };
    this.templates.add(uriTemplate, entry);
    return { uriTemplate, remove: () => this.templates.get(uriTemplate) === entry && this.templates.remove(uriTemplate) };
  }

  remove(uri: string): boolean {
    return this.resources.remove(uri);
  }

  removeTemplate(uriTemplate: string): boolean {
    return this.templates.remove(uriTemplate);
  }

  /** The completers of the template registered as `uri`; `{}` for a fixed resource at `uri`; `undefined` when neither exists. */
  templateCompleters(uri: string): Completers | undefined {
    return this.templates.get(uri)?.completers ?? (this.resources.has(uri) ? {} : undefined);
  }

  list(cursor: string | undefined, pageSize: number): Page<Resource> {
    return paginate(
      [...this.resources.values()].map((entry) => entry.listing),
      (resource) => resource.uri,
      cursor,
      pageSize,
    );
  }

  listTemplates(cursor: string | undefined, pageSize: number): Page<ResourceTemplate> {
    return paginate(
      [...this.templates.values()].map((entry) => entry.listing),
      (template) => template.uriTemplate,
      cursor,
      pageSize,
    );
  }

  /** Reads `uri` from the resource registered under it, else the first template (sorted) that matches. */
  async read(uri: string, ctx: HandlerContext): Promise<ResourceContents[]> {
    const exact = this.resources.get(uri);
    if (exact) return this.run(uri, exact.listing.mimeType, () => exact.read(uri, ctx));
    const templates = [...this.templates.values()].sort((a, b) => (a.listing.uriTemplate < b.listing.uriTemplate ? -1 : 1));
    for (const entry of templates) {
      const variables = entry.template.match(uri);
      if (variables) return this.run(uri, entry.listing.mimeType, () => entry.read(uri, variables, ctx));
    }
    throw new ResourceNotFoundError(uri);
  }

  private async run(uri: string, mimeType: string | undefined, read: () => ResourceReply | Promise<ResourceReply>): Promise<ResourceContents[]> {
    let reply: ResourceReply;
    try {
      reply = await read();
    } catch (error) {
      // InputRequiredError: the request is answered input_required; nothing went wrong.
      if (error instanceof McpError || error instanceof ResourceNotFoundError || error instanceof InputRequiredError) throw error;
      this.onFailure(error, `resource ${uri}`);
      throw new McpError(JsonRpcErrorCode.InternalError, `Reading ${quotePeerText(uri)} failed with an internal error`);
    }
    if (typeof reply === 'string') return [mimeType === undefined ? { uri, text: reply } : { uri, mimeType, text: reply }];
    const contents = ContentsCodec.decode(Array.isArray(reply) ? reply : reply.contents);
    if (E.isLeft(contents)) {
      this.onFailure(new Error(`The reader of ${uri} returned malformed contents: ${describeErrors(contents.left, 'contents')}`), `resource ${uri}`);
      throw new McpError(JsonRpcErrorCode.InternalError, `Reading ${quotePeerText(uri)} failed with an internal error`);
    }
    return contents.right;
  }

  complete(): void {
    this.resources.complete();
    this.templates.complete();
  }
}
