-- Agents gain an e-mail address: a sign-in from Cloudflare Access or an OIDC issuer that
-- carries no role claim is matched to the agent with its e-mail (case-insensitively; one
-- agent per address). Addresses are stored lowercased by the API.
ALTER TABLE agents ADD COLUMN email TEXT;

CREATE UNIQUE INDEX agents_email ON agents (email COLLATE NOCASE) WHERE email IS NOT NULL;
