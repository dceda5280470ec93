import LabCore

// GuacBridge for LabGate: Guacamole's database records, auth-json logins and one-time
// redeem links. It speaks to storage only through LabCore's ports. Empty until the
// GuacBridge issue lands.
