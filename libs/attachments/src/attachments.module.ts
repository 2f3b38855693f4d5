import { type DynamicModule, Module } from '@nestjs/common';
import type { BlobStore } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';
import { AttachmentIntake } from './intake.js';
import { S3BlobStore } from './s3-blob-store.js';
import type { AttachmentStorageSettings } from './settings.js';

/** The blob store the settings name: the S3 bucket when one is set, else files under the data folder. */
export function blobStoreFor(settings: AttachmentStorageSettings): BlobStore {
  return settings.s3 ? new S3BlobStore(settings.s3) : new FileBlobStore(settings.folder);
}

/** The intake over the store the settings name. */
export function attachmentIntakeFor(settings: AttachmentStorageSettings): AttachmentIntake {
  return new AttachmentIntake(blobStoreFor(settings), settings.folder);
}

/** Provides AttachmentIntake (and through it the blob store) to the HTTP layer. */
@Module({})
export class AttachmentsModule {
  static forRoot(settings: AttachmentStorageSettings): DynamicModule {
    return {
      module: AttachmentsModule,
      global: true,
      providers: [
        {
          provide: AttachmentIntake,
          useFactory: async () => {
            const intake = attachmentIntakeFor(settings);
            // What a process killed mid-upload left behind.
            await intake.sweepStaging(new Date());
            return intake;
          },
        },
      ],
      exports: [AttachmentIntake],
    };
  }
}
