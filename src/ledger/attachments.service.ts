import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ReadStream } from 'node:fs';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { maskIdLike } from '../common/mask-id-like.js';
import { inTransaction } from '../database/transaction.js';
import { Attachment, type EvidenceType } from './attachment.entity.js';
import { evidenceName, hasThumbnail } from './evidence-file.js';
import { EvidenceStore, removeFile } from './evidence-store.js';
import { EvidenceThumbnails } from './evidence-thumbnails.js';
import { ACTION_FROM, refusalOf } from './item-policy.js';
import { ItemQueries } from './item-queries.service.js';
import { ItemTexts } from './item-texts.js';
import { Item } from './item.entity.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import { ledgerActorOf, LedgerService } from './ledger.service.js';
import { LedgerError, LedgerErrorCode } from './ledger.errors.js';

/** A file as the upload received it: in the store's receiving folder, hashed and recognised by its bytes. */
export interface ReceivedEvidence {
  path: string;
  sha256: string;
  size: number;
  type: EvidenceType;
  /** The name the browser sent (cleaned and masked before it is kept: evidenceName). */
  originalName: string;
}

/** 佐证材料 as the API answers it and the item page shows it. */
export interface AttachmentView {
  id: number;
  itemId: number;
  sha256: string;
  /** The uploader's file name, ID-number-like runs masked (and, for roles that read no persons, the subject's names). */
  name: string;
  type: EvidenceType;
  size: number;
  /** Whether GET …/thumbnail has a picture (images; a PDF has none). */
  thumbnail: boolean;
  /** The original (inline) and the thumbnail (null for a PDF), for links and <img>. */
  url: string;
  thumbnailUrl: string | null;
  /** The `attachment_added` entry that recorded it: its seq, who uploaded it and when. */
  seq: number | null;
  uploadedById: number;
  uploadedByName: string | null;
  uploadedAt: string;
}

/** A stored original, opened, with what its response headers say. */
export interface EvidenceDownload {
  attachment: AttachmentView;
  stream: ReadStream;
  /** The stored file's size (what is sent, even if the file was altered). */
  size: number;
}

/**
 * 佐证材料 of items (SPEC §6.2): adding one (the file into the content-addressed store, the row and
 * its `attachment_added` entry in one transaction with the item's row locked), listing an item's,
 * and opening one for whoever may read its item (another sub-district: 404, as the item itself).
 */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger(AttachmentsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly queries: ItemQueries,
    private readonly store: EvidenceStore,
    private readonly thumbnails: EvidenceThumbnails,
    private readonly texts: ItemTexts,
  ) {}

  /**
   * Whether the user may add evidence to the item now (in scope, the department rule, the status):
   * the upload asks before it reads the file, and add() asks again under the item's lock.
   */
  async assertMayAttach(user: AuthUser, itemId: number): Promise<void> {
    this.refuseAttach(user, await this.queries.findInScope(this.db.manager, user, itemId));
  }

  /** Adds a received file to the item: stored, recorded, and entered in the ledger; or refused with nothing kept. */
  async add(user: AuthUser, itemId: number, file: ReceivedEvidence): Promise<AttachmentView> {
    const name = evidenceName(file.originalName, file.type);
    const actor = ledgerActorOf(user);
    try {
      const { attachment, entry } = await inTransaction(this.db, async (em) => {
        const item = await this.queries.findInScope(em, user, itemId);
        this.refuseAttach(user, item);
        // The item's row lock, with its status checked again in the WHERE (as a progress note takes it).
        const locked = await em
          .createQueryBuilder()
          .update(Item)
          .set({ updatedAt: () => 'CURRENT_TIMESTAMP' })
          .where('id = :id AND status IN (:...from)', { id: itemId, from: ACTION_FROM.attach })
          .execute();
        if (locked.affected === 0) {
          throw this.wrongStatus(`item ${itemId} changed while the file was received`);
        }
        // Into the store before the rows: a committed entry always names a file that is there.
        await this.store.put(file.path, file.sha256);
        const values = { itemId, sha256: file.sha256, name, type: file.type, size: file.size, uploadedById: user.id };
        const inserted = await em.insert(Attachment, values);
        const id = (inserted.identifiers[0] as { id: number }).id;
        const entry = await this.ledger.append(em, itemId, {
          type: 'attachment_added',
          actor,
          at: this.clock.now().toISOString(),
          payload: { attachmentId: id, sha256: file.sha256, name, type: file.type, size: file.size },
        });
        return { attachment: await em.findOneByOrFail(Attachment, { id }), entry };
      });
      this.logger.log(
        `item ${itemId}: evidence ${attachment.id} (${file.type}, ${file.size} bytes, sha256 ${file.sha256}, "${name}") added by user ${user.id}`,
      );
      return this.view(attachment, entry, await this.texts.textsFor(user, [itemId]));
    } finally {
      // Gone already when the store took it; otherwise nothing of a refused upload is kept.
      await removeFile(file.path);
    }
  }

  /** An item's evidence, oldest first (the item page calls this too). Another sub-district's item: 404. */
  async list(user: AuthUser, itemId: number): Promise<AttachmentView[]> {
    await this.queries.findInScope(this.db.manager, user, itemId);
    const [attachments, entries, texts] = await Promise.all([
      this.db.manager.find(Attachment, { where: { itemId }, order: { id: 'ASC' } }),
      this.entriesOf(this.db.manager, itemId),
      this.texts.textsFor(user, [itemId]),
    ]);
    return attachments.map((a) => this.view(a, entries.get(a.id) ?? null, texts));
  }

  /** One attachment, for a user who may read its item (else 404, never 403: it does not say it exists). */
  async get(user: AuthUser, id: number): Promise<AttachmentView> {
    const attachment = await this.findReadable(user, id);
    const [entries, texts] = await Promise.all([
      this.entriesOf(this.db.manager, attachment.itemId),
      this.texts.textsFor(user, [attachment.itemId]),
    ]);
    return this.view(attachment, entries.get(attachment.id) ?? null, texts);
  }

  /** The stored original, opened. A file gone from UPLOAD_DIR is 404 (and logged: verify names it). */
  async open(user: AuthUser, id: number): Promise<EvidenceDownload> {
    const attachment = await this.get(user, id);
    const file = await this.store.open(attachment.sha256);
    if (!file) {
      this.logger.error(`evidence ${id} (sha256 ${attachment.sha256}) is missing from UPLOAD_DIR`);
      throw AppError.notFound(`file of attachment ${id}`);
    }
    return { attachment, ...file };
  }

  /** An image's thumbnail (JPEG, no metadata). A PDF has none: 404, as has an image that does not decode. */
  async thumbnail(user: AuthUser, id: number): Promise<{ attachment: AttachmentView; jpeg: Buffer }> {
    const attachment = await this.get(user, id);
    const jpeg = attachment.thumbnail ? await this.thumbnails.of(attachment.sha256) : null;
    if (!jpeg) {
      throw AppError.notFound(`thumbnail of attachment ${id}`);
    }
    return { attachment, jpeg };
  }

  private async findReadable(user: AuthUser, id: number): Promise<Attachment> {
    const attachment = await this.db.manager.findOneBy(Attachment, { id });
    if (!attachment) {
      throw AppError.notFound(`attachment ${id}`);
    }
    try {
      await this.queries.findInScope(this.db.manager, user, attachment.itemId);
    } catch (error) {
      // The same answer as an id that does not exist.
      throw error instanceof AppError ? AppError.notFound(`attachment ${id}`) : error;
    }
    return attachment;
  }

  /** The `attachment_added` entries of an item, by the attachment they record. */
  private async entriesOf(em: EntityManager, itemId: number): Promise<Map<number, LedgerEntry>> {
    const entries = await em.find(LedgerEntry, { where: { itemId, type: 'attachment_added' }, order: { seq: 'ASC' } });
    const byAttachment = new Map<number, LedgerEntry>();
    for (const entry of entries) {
      const id = (JSON.parse(entry.payload ?? '{}') as { attachmentId?: unknown }).attachmentId;
      if (typeof id === 'number') {
        byAttachment.set(id, entry);
      }
    }
    return byAttachment;
  }

  private refuseAttach(user: AuthUser, item: Item): void {
    const refusal = refusalOf(user, item, 'attach');
    if (refusal === 'department') {
      throw new LedgerError(
        LedgerErrorCode.OtherDepartment,
        `item ${item.id} belongs to the ${item.responsibleDept} department; insurance staff act on insurance items only`,
      );
    }
    if (refusal !== null) {
      throw this.wrongStatus(`item ${item.id} is ${item.status}`);
    }
  }

  private wrongStatus(why: string): LedgerError {
    return new LedgerError(
      LedgerErrorCode.WrongStatus,
      `${why}; evidence is added while it is ${ACTION_FROM.attach.join(' or ')}`,
      'status',
    );
  }

  /** `texts`: the item's texts as the caller's role may read them (ItemTexts.textsFor), as the ledger's payloads are shown. */
  private view(
    a: Attachment,
    entry: LedgerEntry | null,
    texts: (itemId: number, text: string) => string,
  ): AttachmentView {
    const thumbnail = hasThumbnail(a.type);
    return {
      id: a.id,
      itemId: a.itemId,
      sha256: a.sha256,
      // Masked when kept; masked again here for rows written before (or by other code); then, as
      // the ledger's payloads, without the subject's name for the leadership.
      name: texts(a.itemId, maskIdLike(a.name)),
      type: a.type,
      size: a.size,
      thumbnail,
      url: `/api/attachments/${a.id}`,
      thumbnailUrl: thumbnail ? `/api/attachments/${a.id}/thumbnail` : null,
      seq: entry?.seq ?? null,
      uploadedById: a.uploadedById,
      uploadedByName: entry?.actorName ?? null,
      uploadedAt: entry?.at ?? new Date(a.createdAt).toISOString(),
    };
  }
}
