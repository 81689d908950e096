package xspct.core.codec;

import java.util.List;

/**
 * The body formats besides JSON that xspct_db 0.7 understands (docs/compatibility.md, "Body formats"). The core
 * serves a format only through a codec plugin declaring its media types; this table only keeps the original's
 * answers when that plugin is absent: a request body in such a format is refused (400) instead of being read as
 * JSON, and an {@code Accept} entry naming it is answered in JSON.
 */
final class OriginalFormats {

    /**
     * One format of the original.
     *
     * @param name       the format's name in messages
     * @param plugin     the name of the codec plugin that serves it, for the start warning
     * @param mediaTypes the media types the original reads and negotiates for it, lower case
     */
    record Format(String name, String plugin, List<String> mediaTypes) {
    }

    /** Every format of the original besides JSON. */
    static final List<Format> ALL = List.of(
            new Format("MessagePack", "msgpack", List.of("application/msgpack", "application/x-msgpack")));

    private OriginalFormats() {
    }
}
