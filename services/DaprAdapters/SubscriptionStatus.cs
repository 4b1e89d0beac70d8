using System.Text.Json.Serialization;

namespace DaprVideo.DaprAdapters;

/// <summary>The body a subscriber answers daprd with (HTTP 200 in every case).</summary>
public sealed record SubscriptionStatus([property: JsonPropertyName("status")] string Status)
{
    /// <summary>Processed; daprd acknowledges the message.</summary>
    public static readonly SubscriptionStatus Success = new("SUCCESS");

    /// <summary>Transient failure; daprd redelivers per its resiliency policy.</summary>
    public static readonly SubscriptionStatus Retry = new("RETRY");

    /// <summary>Poison message; daprd drops it (to the dead-letter topic when one is declared).</summary>
    public static readonly SubscriptionStatus Drop = new("DROP");
}
