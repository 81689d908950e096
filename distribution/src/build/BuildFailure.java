/** A problem that stops the build, with a message for the person running it (printed without a stack trace). */
public final class BuildFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BuildFailure(String message) {
        super(message, null, false, false);
    }
}
