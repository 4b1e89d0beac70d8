namespace DaprVideo.Embedded.Cli;

/// <summary>Bad arguments or input the user can fix: one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
