import LabCore

// Provisioning for LabGate: the typed Proxmox VE client, placement, VMID allocation, the
// lab-instance lifecycle as idempotent jobs, the reconciler and warm pools.
// It speaks to storage only through LabCore's ports. Empty until the Provisioning issue lands.
