/**
 * The error Step Functions reports when a Lambda function runs past its timeout: unhandled Lambda
 * errors, out-of-memory and function timeouts all arrive as `Lambda.Unknown`
 * (docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html). The definition
 * does not retry it; its Catch (`States.ALL`) takes it to the failure path.
 */
export class LambdaTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Lambda.Unknown';
  }
}

/**
 * Test double of the Lambda runtime's timeout around the AWS-facing ports: while armed, any port call
 * that takes longer than `deadlineMs` rejects with {@link LambdaTimeoutError}, the way the function
 * would be stopped in AWS. The call itself is not cancelled (neither is an AWS request whose Lambda
 * timed out): its effect may still land after the error, which is what makes this fault dangerous.
 */
export class LambdaDeadline {
  armed = false;
  /** Port calls that ran past the deadline while armed. */
  timedOut = 0;

  constructor(private readonly deadlineMs: number) {}

  /** A proxy of `target` whose async methods honour the deadline while armed. */
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
          if (!this.armed || !(result instanceof Promise)) return result;
          return this.race(result);
        };
      },
    });
  }

  private race<R>(call: Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.timedOut += 1;
        reject(new LambdaTimeoutError(this.deadlineMs / 1000));
      }, this.deadlineMs);
    });
    // The late result is dropped, not left unhandled.
    call.catch(() => undefined);
    return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
  }
}
