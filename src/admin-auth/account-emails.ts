/** The rule for an account's e-mail address, as the schema's check has it (users_email_check). */
export function emailProblem(email: string): string | null {
  if (email.length > 254) return 'An e-mail address has at most 254 characters.';
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return 'Enter an e-mail address like name@example.com.';
  return null;
}
