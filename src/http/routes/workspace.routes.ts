import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { updateWorkspaceSettings } from '../../app/workspace.service.js';
import { actorOf, requireAdmin, workspaceOf } from '../auth.js';
import { presentWorkspace } from '../presenters.js';
import { ComplianceFields, SmartEncodingFlag, UnknownOutcomeRule, WorkspaceSchema, errorResponses } from '../schemas.js';

// Unknown fields are refused rather than ignored: a misspelt setting ("smartEncodng")
// would otherwise answer 200 and change nothing.
const SettingsBody = Type.Object(
  {
    smartEncoding: Type.Optional(SmartEncodingFlag),
    helpText: Type.Optional(
      Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()], {
        description: 'reply to HELP (at most 1,600 characters); null restores the default',
      }),
    ),
    defaultCountry: Type.Optional(Type.String({ minLength: 1, maxLength: 10, description: 'ISO 3166 alpha-2, e.g. "US"' })),
    unknownOutcome: Type.Optional(UnknownOutcomeRule),
    maxSegmentsPerSecond: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }), Type.Null()], {
        description: 'segments per second across all senders; null removes the limit',
      }),
    ),
    ...ComplianceFields(true),
  },
  { additionalProperties: false },
);

export async function workspaceRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/workspace',
    {
      schema: {
        tags: ['workspace'],
        summary: "The API key's workspace and its settings",
        response: { 200: WorkspaceSchema, ...errorResponses },
      },
    },
    async (request) => presentWorkspace(workspaceOf(request)),
  );

  app.patch(
    '/v1/workspace',
    {
      schema: {
        tags: ['workspace'],
        summary: 'Change settings; fields left out stay as they are',
        body: SettingsBody,
        response: { 200: WorkspaceSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      return presentWorkspace(await updateWorkspaceSettings(ctx, workspaceOf(request), request.body, actorOf(request)));
    },
  );
}
