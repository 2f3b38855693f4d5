/** The request field that carries a file, as the errors name it. */
export const FILE_FIELD = 'file';

/** The file's content is none of the accepted types (ATTACHMENT_MEDIA_TYPES): 415. */
export class UnsupportedMediaTypeError extends Error {
  readonly code = 'unsupported_media_type';

  constructor(
    message: string,
    readonly field: string = FILE_FIELD,
  ) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The file is larger than the limit, counted on the bytes as they arrive: 413. */
export class PayloadTooLargeError extends Error {
  readonly code = 'payload_too_large';

  constructor(
    message: string,
    readonly field: string = FILE_FIELD,
  ) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

/** The client closed the upload before it was whole: nothing was kept. */
export class UploadAbortedError extends Error {
  readonly code = 'upload_aborted';
  readonly field = FILE_FIELD;

  constructor() {
    super('the upload was cut off before the file was complete');
    this.name = 'UploadAbortedError';
  }
}

/** A start-up setting of the attachment store is wrong; the message names the variable. */
export class AttachmentConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration ${variable}: ${problem}`);
    this.name = 'AttachmentConfigError';
  }
}
