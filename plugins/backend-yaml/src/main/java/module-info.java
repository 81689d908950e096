/**
 * The {@code yaml} backend: static user data from {@code xspct_db_yaml_data} in the configuration file.
 */
module xspct.backend.yaml {
    requires xspct.api;
    provides xspct.api.BackendProvider with xspct.backend.yaml.YamlBackendProvider;
}
