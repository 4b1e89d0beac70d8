namespace DaprVideo.ModelConverter.TensorFlow;

/// <summary>A reference to one output of a TF node, as written in a node's input list ("node", "node:1").</summary>
internal readonly record struct TfTensorRef(string Node, int Index)
{
    /// <summary>Canonical key: output 0 is the bare node name, as TF writes it.</summary>
    public string Key => Index == 0 ? Node : $"{Node}:{Index}";

    /// <summary>Parses an input entry; control inputs ("^node") yield null because they carry no data.</summary>
    public static TfTensorRef? Parse(string input)
    {
        if (input.StartsWith('^'))
        {
            return null;
        }

        var colon = input.LastIndexOf(':');
        if (colon > 0 && int.TryParse(input.AsSpan(colon + 1), out var index))
        {
            return new TfTensorRef(input[..colon], index);
        }

        return new TfTensorRef(input, 0);
    }
}
