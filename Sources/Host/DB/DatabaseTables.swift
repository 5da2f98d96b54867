/// The step-ca buckets created at start-up when a database is configured (reference §7.3).
enum DatabaseTables {
    static let x509Certs = "x509_certs"
    static let x509CertsData = "x509_certs_data"
    static let revokedX509Certs = "revoked_x509_certs"
    static let x509CRL = "x509_crl"
    static let revokedSSHCerts = "revoked_ssh_certs"
    static let usedOTT = "used_ott"
    static let sshCerts = "ssh_certs"
    static let sshHosts = "ssh_hosts"
    static let sshUsers = "ssh_users"
    static let sshHostPrincipals = "ssh_host_principals"

    /// The core set, always created.
    static let core = [
        x509Certs, x509CertsData, revokedX509Certs, x509CRL, revokedSSHCerts, usedOTT,
        sshCerts, sshHosts, sshUsers, sshHostPrincipals,
    ]

    /// The ACME set, created whenever a database is configured.
    static let acme = [
        "acme_accounts", "acme_keyID_accountID_index", "acme_authzs", "acme_challenges", "nonces",
        "acme_orders", "acme_account_orders_index", "acme_certs", "acme_serial_certs_index",
        "acme_external_account_keys", "acme_external_account_keyID_reference_index",
        "acme_external_account_keyID_provisionerID_index", "wire_acme_dpop_token", "wire_acme_oidc_token",
    ]

    /// The admin set, created when `authority.enableAdmin` is true.
    static let admin = ["admins", "provisioners", "authority_policies"]
}
