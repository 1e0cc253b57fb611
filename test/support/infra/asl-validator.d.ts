// asl-validator 4 ships JavaScript only; this declares the one function the tests call.
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: { message?: string }[];
    errorsText(separator?: string): string;
  }
  function aslValidator(
    definition: unknown,
    options?: { checkArn?: boolean; checkPaths?: boolean },
  ): AslValidationResult;
  export default aslValidator;
}
