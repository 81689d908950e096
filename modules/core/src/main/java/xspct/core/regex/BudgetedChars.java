package xspct.core.regex;

/**
 * A character sequence that throws after a fixed number of reads, bounding the work one regular expression
 * match can do (catastrophic backtracking on attacker-controlled addresses).
 */
final class BudgetedChars implements CharSequence {
    private final String text;
    private final long[] budget;

    BudgetedChars(String text, long budget) {
        this(text, new long[] {budget});
    }

    private BudgetedChars(String text, long[] budget) {
        this.text = text;
        this.budget = budget;
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        if (--budget[0] < 0) {
            throw new BudgetExceeded();
        }
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BudgetedChars(text.substring(start, end), budget);
    }

    @Override
    public String toString() {
        return text;
    }

    static final class BudgetExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExceeded() {
            super("regular expression match budget exceeded", null, false, false);
        }
    }
}
