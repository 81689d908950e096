/**
 * An example xspct-db backend plugin: {@code db_type: static_domain}.
 */
module org.example.staticdomain {
    requires xspct.api;
    provides xspct.api.BackendProvider with org.example.staticdomain.StaticDomainProvider;
}
