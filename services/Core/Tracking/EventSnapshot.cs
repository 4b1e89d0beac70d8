namespace DaprVideo.Core.Tracking;

/// <summary>An event's two encoded pictures: the frame at its best score and the object cut from it.</summary>
public sealed record EventSnapshot(byte[] Frame, byte[] Crop);
