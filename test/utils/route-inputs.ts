import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/** A route of the app with the inputs its handler declares. */
export interface RouteInputs {
  /** `GET /api/items/:id`, as the Express route table writes it. */
  route: string;
  method: string;
  path: string;
  /** Named fields of @Body()/@Query() (the DTO's validated properties, or @Body('x')); empty when the handler reads a free-form object. */
  body: string[];
  query: string[];
  /** Whether the handler reads a body or a query object whose fields the DTO does not tell (pages read forms by hand). */
  freeBody: boolean;
  freeQuery: boolean;
}

const join = (...parts: string[]): string =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** The validated properties of a DTO class, inherited ones included. */
function fieldsOf(dto: unknown): string[] | null {
  if (typeof dto !== 'function' || dto === Object) {
    return null;
  }
  const metas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

/**
 * Every route of every controller the app holds, read from Nest's own metadata: the path, the
 * method, and the fields of the DTOs its @Body() and @Query() parameters validate.
 */
export function routeInputs(app: INestApplication): RouteInputs[] {
  const routes: RouteInputs[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => object) | null;
      if (!controller) {
        continue;
      }
      const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '')[0];
      const proto = controller.prototype as object;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value; // never a getter's result
        const verb: unknown = typeof handler === 'function' ? Reflect.getMetadata(METHOD_METADATA, handler) : undefined;
        if (verb === undefined || name === 'constructor') {
          continue;
        }
        const method = RequestMethod[verb as RequestMethod];
        // A handler may serve several paths (@Post([':id/start', ':id/close'])): one route each.
        const paths = ([] as string[])
          .concat(Reflect.getMetadata(PATH_METADATA, handler as object) ?? '')
          .map((p) => join(base, p));
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as unknown[];
        const inputs: Omit<RouteInputs, 'route' | 'path'> = {
          method,
          body: [],
          query: [],
          freeBody: false,
          freeQuery: false,
        };
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]) as RouteParamtypes;
          if (kind !== RouteParamtypes.BODY && kind !== RouteParamtypes.QUERY) {
            continue;
          }
          const side = kind === RouteParamtypes.BODY ? 'body' : 'query';
          if (typeof arg.data === 'string') {
            inputs[side].push(arg.data);
            continue;
          }
          const fields = fieldsOf(types[arg.index]);
          if (fields) {
            inputs[side].push(...fields);
          } else if (side === 'body') {
            inputs.freeBody = true;
          } else {
            inputs.freeQuery = true;
          }
        }
        routes.push(...paths.map((path) => ({ ...inputs, route: `${method} ${path}`, path })));
      }
    }
  }
  return routes;
}
