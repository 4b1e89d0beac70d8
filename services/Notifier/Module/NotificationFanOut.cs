using Microsoft.Extensions.Logging;

namespace DaprVideo.Notifier;

/// <summary>
/// Sends a notification to every named output at once. One failing output does not hold the others back: each is
/// tried, what succeeded is remembered (<see cref="DeliveredLedger"/>), and if any failed the whole delivery fails
/// (<see cref="NotificationFailedException"/>) so the broker redelivers it, and the redelivery goes to the failed ones
/// only. Delivery is at least once: a receiver may see a notification twice (another replica, a restart, a reply lost
/// after the receiver took it) and can tell by <see cref="Notification.Key"/>.
/// </summary>
/// <param name="send">Sends to one output (a Dapr binding name, a webhook); throws when it did not arrive.</param>
public sealed partial class NotificationFanOut(
    IReadOnlyList<string> outputs, Func<string, Notification, CancellationToken, Task> send, ILogger logger, DeliveredLedger? ledger = null)
{
    private readonly DeliveredLedger _ledger = ledger ?? new DeliveredLedger();

    public IReadOnlyList<string> Outputs { get; } = outputs;

    public async Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var due = Outputs.Where(o => !_ledger.Contains(notification.Key, o)).ToList();
        var failed = await Task.WhenAll(due.Select(async output =>
        {
            try
            {
                await send(output, notification, cancellationToken);
                _ledger.Add(notification.Key, output);
                return null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = SafeText.Redact(e.Message);
                LogFailed(logger, output, notification.Key, reason);
                return output;
            }
        }));
        cancellationToken.ThrowIfCancellationRequested();
        var failures = failed.OfType<string>().ToList();
        if (failures.Count > 0) throw new NotificationFailedException(notification.Key, failures);
        if (due.Count == 0) return;
        var sentTo = string.Join(",", due);
        LogSent(logger, notification.Key, sentTo);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Key} to {Output} failed (retried): {Reason}")]
    private static partial void LogFailed(ILogger logger, string output, string key, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {Key} sent to {Outputs}")]
    private static partial void LogSent(ILogger logger, string key, string outputs);
}
