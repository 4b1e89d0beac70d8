namespace DaprVideo.Notifier;

/// <summary>Some outputs did not take a notification; a transient failure (the delivery is retried).</summary>
public sealed class NotificationFailedException : IOException
{
    public NotificationFailedException()
    {
        Key = "";
        Outputs = [];
    }

    public NotificationFailedException(string message)
        : base(message)
    {
        Key = "";
        Outputs = [];
    }

    public NotificationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = "";
        Outputs = [];
    }

    public NotificationFailedException(string key, IReadOnlyList<string> outputs)
        : base($"Notification {key} did not reach {string.Join(", ", outputs)}; it is sent there again on redelivery.")
    {
        Key = key;
        Outputs = outputs;
    }

    public string Key { get; }

    public IReadOnlyList<string> Outputs { get; }
}
