import { generateSecret, generateURI, verify } from 'otplib';

/** TOTP with the authenticator apps' defaults: SHA-1, six digits, 30-second steps. */
const PERIOD_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function otpauthUri(issuer: string, username: string, secret: string): string {
  return generateURI({ issuer, label: username, secret });
}

/**
 * The QR code as SVG markup, made here so the page asks no other site for it.
 * The library (some sixty modules) is loaded the first time one is shown:
 * enrolling is rare, and every process that loads the app would pay for it.
 */
export async function qrCodeSvg(uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}

/**
 * The time step of `code` if it is the code of the current step or of one
 * either side (a phone's clock a little off), and later than `afterStep`
 * (a code already used is refused); else null.
 */
export async function acceptedTimeStep(
  secret: string,
  code: string,
  epochSeconds: number,
  afterStep: number | null,
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: epochSeconds,
    period: PERIOD_SECONDS,
    epochTolerance: PERIOD_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
