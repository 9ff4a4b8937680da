import { Module } from '@nestjs/common';
import { ImportsModule } from './imports.module.js';
import { ImportsProcessor } from './imports.processor.js';

/** The imports queue's consumer, for a process that runs workers (QueueModule.runsWorkers). */
@Module({ imports: [ImportsModule], providers: [ImportsProcessor] })
export class ImportsWorkerModule {}
