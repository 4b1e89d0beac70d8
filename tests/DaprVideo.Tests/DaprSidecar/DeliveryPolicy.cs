namespace DaprVideo.Tests.DaprSidecar;

/// <summary>
/// How the stand-in's broker delivers. Redelivery, duplicates and reordering are driven by a seeded random
/// source so a failing test replays the same schedule.
/// </summary>
public sealed record DeliveryPolicy
{
    /// <summary>Attempts per message before it is given up (dead-lettered when the route declares a topic).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Wait before the second attempt; doubled per attempt up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Chance (0..1) that a published message is delivered twice (at-least-once brokers do this).</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>Messages gathered and shuffled before delivery (1 = publish order).</summary>
    public int ReorderWindow { get; init; } = 1;

    /// <summary>How long a partly filled reorder window waits for more messages before it is shuffled and sent.</summary>
    public TimeSpan ReorderMaxHold { get; init; } = TimeSpan.FromMilliseconds(150);

    public int Seed { get; init; } = 12345;

    /// <summary>Deliveries per subscription running at once (daprd's Redis component defaults to 10; 1 keeps order).</summary>
    public int Concurrency { get; init; } = 1;
}
