// What the e2e globalSetup hands to test files through vitest's provide/inject.

export interface TesthostContext {
  supported: boolean;
  reason?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testhost: TesthostContext;
  }
}
