package dev.eryao.worker;

/**
 * Which throwables a worker thread must not carry on after: the JVM can no longer be trusted to
 * keep its promises (an OutOfMemoryError can leave any object half-changed; an InternalError or
 * UnknownError is the JVM's own failure). The process exits instead, and the lease brings its runs
 * back to another worker. A StackOverflowError unwinds its own thread cleanly, so it is an
 * ordinary failure of the attempt.
 */
final class Fatal {
    private Fatal() {}

    static boolean is(Throwable error) {
        return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
    }
}
