import LabCore

// LTI 1.3 for LabGate: platform registry, OIDC login, launch validation, JWKS cache,
// Deep Linking, Dynamic Registration, AGS and NRPS clients, and the /lti routes.
// It speaks to storage only through LabCore's ports. Empty until the LTI launch issue lands.
