export type DefinitionErrorCode = 'INVALID_DEFINITION' | 'DEFINITION_VERSION_EXISTS' | 'DEFINITION_NOT_FOUND';

export class DefinitionError extends Error {
  constructor(
    readonly code: DefinitionErrorCode,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'DefinitionError';
  }
}
