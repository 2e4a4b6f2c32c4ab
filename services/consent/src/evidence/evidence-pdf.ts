import { newPdfDocument, pdfBytes } from '@divit/service-kit';
import { ElementName, REQUIRED_ELEMENTS } from '../consent-texts/consent-elements';
import type { ConsentEvidence } from './evidence.service';

const ELEMENT_TITLES: Record<ElementName, string> = {
  legalDuty: 'Legal duty and the data needed',
  secureGovernmentConnection: 'Safe, secure government connection',
  digidAtMijnOverheid: 'DigiD login at MijnOverheid',
  bsnOnlyForSurnameAndBirthDateCheck: 'BSN only used to check surname and birth date',
  bsnHashedAndVerifiedDataStored: 'BSN becomes a hash; verified surname and birth date stored',
  reuseAtAllocation: 'Data reused at allocation',
  voluntaryAndWithdrawable: 'Voluntary and withdrawable',
  controllerIdentity: 'Controller',
  dataSubjectRights: "The person's rights (access, rectification, erasure, objection, complaint)",
};

/** A readable PDF of the consent evidence (every text element as shown, answers, receipts, withdrawals). */
export function renderEvidencePdf(evidence: ConsentEvidence): Promise<Buffer> {
  const doc = newPdfDocument(`Consent evidence ${evidence.registrationId}`);

  doc.font('Helvetica-Bold').fontSize(16).text('DIV-it consent evidence');
  doc.font('Helvetica').fontSize(10);
  doc.text(`Registration: ${evidence.registrationId}`);
  doc.text(`Organisation: ${evidence.organisationId}`);
  doc.text(`Generated at: ${evidence.generatedAt}`);
  doc.text(evidence.note);
  doc.moveDown();
  if (evidence.entries.length === 0) doc.text('No consent texts were shown for this registration.');
  evidence.entries.forEach((e, i) => {
    doc
      .font('Helvetica-Bold')
      .fontSize(12)
      .text(`${i + 1}. ${e.showing.purpose} — ${e.showing.subjectRole}`);
    doc.font('Helvetica').fontSize(10);
    doc.text(`Subject (pseudonym): ${e.showing.subjectId}`);
    if (e.showing.allocationId) doc.text(`Allocation: ${e.showing.allocationId}`);
    doc.text(`Shown at: ${e.showing.shownAt} via ${e.showing.channel}`);
    doc.text(
      `Controller (route ${e.showing.controller.route}): ${e.showing.controller.controllers
        .map((c) => (c.name ? `${c.name} (${c.organisationId})` : c.organisationId))
        .join('; ')}`,
    );
    doc.text(`Text version ${e.text.version ?? '?'} (${e.text.language}), SHA-256 ${e.text.versionHash}`);
    for (const name of REQUIRED_ELEMENTS) {
      const element = e.text.elements[name] as { text?: string } | undefined;
      doc.font('Helvetica-Bold').text(ELEMENT_TITLES[name]);
      doc.font('Helvetica').text(element?.text ?? '(missing)');
    }
    if (!e.answer) doc.text('Answer: none (shown, not answered)');
    else {
      doc.text(`Answer: ${e.answer.answer} at ${e.answer.answeredAt} (consent ${e.answer.consentId})`);
      if (e.answer.receiptId) doc.text(`Receipt ${e.answer.receiptId}, key ${e.answer.receiptKid ?? ''}`);
      if (e.answer.receipt)
        doc.font('Courier').fontSize(7).text(e.answer.receipt).font('Helvetica').fontSize(10);
      doc.text(e.answer.withdrawnAt ? `Withdrawn at: ${e.answer.withdrawnAt}` : 'Not withdrawn');
    }
    doc.moveDown();
  });
  return pdfBytes(doc);
}
