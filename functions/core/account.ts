/** Twelve digits, as AWS prints them (leading zeros kept). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID_PATTERN.test(value);
}

/** An AWS account as the organization knows it. */
export interface Account {
  id: string;
  name: string;
  /** The organization's management account: AssumeRoot cannot target it. */
  isManagement: boolean;
  /** Not part of an AWS Organization at all. */
  isStandalone?: boolean;
  email?: string;
}

/** Which centralized root access features the organization has enabled (ListOrganizationsFeatures). */
export interface RootAccessFeatures {
  /** `RootCredentialsManagement`: delete root credentials of member accounts centrally. */
  rootCredentialsManagement: boolean;
  /** `RootSessions`: `sts:AssumeRoot` privileged sessions in member accounts. */
  rootSessions: boolean;
  /** Why the features count as off when they could not be read (no organization, access denied…). */
  unavailableReason?: string;
}

export const NO_ROOT_ACCESS_FEATURES: RootAccessFeatures = { rootCredentialsManagement: false, rootSessions: false };
