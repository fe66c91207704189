namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// The part of namespace 0 (OPC 10000-5, NodeIds.csv) that companion NodeSets build on: the reference type tree,
/// the built-in data types, the base object and variable types and the modelling rules. The rest of namespace 0
/// is not loaded; the NodeSet loader counts references to it as unresolved.
/// </summary>
public sealed partial class AddressSpace
{
    // (id, name, supertype, abstract, symmetric, inverse name)
    private static readonly (uint Id, string Name, uint Super, bool Abstract, bool Symmetric, string? Inverse)[] ReferenceTypes =
    [
        (31, "References", 0, true, true, null),
        (32, "NonHierarchicalReferences", 31, true, true, null),
        (33, "HierarchicalReferences", 31, true, false, "InverseHierarchicalReferences"),
        (34, "HasChild", 33, true, false, "ChildOf"),
        (35, "Organizes", 33, false, false, "OrganizedBy"),
        (36, "HasEventSource", 33, false, false, "EventSourceOf"),
        (37, "HasModellingRule", 32, false, false, "ModellingRuleOf"),
        (38, "HasEncoding", 32, false, false, "EncodingOf"),
        (39, "HasDescription", 32, false, false, "DescriptionOf"),
        (40, "HasTypeDefinition", 32, false, false, "TypeDefinitionOf"),
        (41, "GeneratesEvent", 32, false, false, "GeneratedBy"),
        (3065, "AlwaysGeneratesEvent", 41, false, false, "AlwaysGeneratedBy"),
        (44, "Aggregates", 34, true, false, "AggregatedBy"),
        (45, "HasSubtype", 34, false, false, "SubtypeOf"),
        (46, "HasProperty", 44, false, false, "PropertyOf"),
        (47, "HasComponent", 44, false, false, "ComponentOf"),
        (48, "HasNotifier", 36, false, false, "NotifierOf"),
        (49, "HasOrderedComponent", 47, false, false, "OrderedComponentOf"),
        (51, "FromState", 32, false, false, "ToTransition"),
        (52, "ToState", 32, false, false, "FromTransition"),
        (53, "HasCause", 32, false, false, "MayBeCausedBy"),
        (54, "HasEffect", 32, false, false, "MayBeEffectedBy"),
        (117, "HasSubStateMachine", 32, false, false, "SubStateMachineOf"),
        (9004, "HasTrueSubState", 32, false, false, "IsTrueSubStateOf"),
        (9005, "HasFalseSubState", 32, false, false, "IsFalseSubStateOf"),
        (9006, "HasCondition", 32, false, false, "IsConditionOf"),
        (17603, "HasInterface", 32, false, false, "InterfaceOf"),
        (17604, "HasAddIn", 47, false, false, "AddInOf"),
    ];

    private static readonly (uint Id, string Name, uint Super, bool Abstract)[] DataTypes =
    [
        (24, "BaseDataType", 0, true),
        (1, "Boolean", 24, false),
        (26, "Number", 24, true),
        (27, "Integer", 26, true),
        (28, "UInteger", 26, true),
        (2, "SByte", 27, false),
        (3, "Byte", 28, false),
        (4, "Int16", 27, false),
        (5, "UInt16", 28, false),
        (6, "Int32", 27, false),
        (7, "UInt32", 28, false),
        (8, "Int64", 27, false),
        (9, "UInt64", 28, false),
        (10, "Float", 26, false),
        (11, "Double", 26, false),
        (12, "String", 24, false),
        (13, "DateTime", 24, false),
        (14, "Guid", 24, false),
        (15, "ByteString", 24, false),
        (16, "XmlElement", 24, false),
        (17, "NodeId", 24, false),
        (18, "ExpandedNodeId", 24, false),
        (19, "StatusCode", 24, false),
        (20, "QualifiedName", 24, false),
        (21, "LocalizedText", 24, false),
        (22, "Structure", 24, true),
        (23, "DataValue", 24, false),
        (25, "DiagnosticInfo", 24, false),
        (29, "Enumeration", 24, true),
        (290, "Duration", 11, false),
        (294, "UtcTime", 13, false),
        (295, "LocaleId", 12, false),
        (291, "NumericRange", 12, false),
        (256, "IdType", 29, false),
        (852, "ServerState", 29, false),
        (296, "Argument", 22, false),
        (884, "Range", 22, false),
        (887, "EUInformation", 22, false),
        (7594, "EnumValueType", 22, false),
        (862, "ServerStatusDataType", 22, false),
    ];

    private static readonly (uint Id, string Name, uint Super, bool Abstract)[] ObjectTypes =
    [
        (58, "BaseObjectType", 0, false),
        (61, "FolderType", 58, false),
        (2004, "ServerType", 58, false),
        (77, "ModellingRuleType", 58, false),
        (76, "DataTypeEncodingType", 58, false),
        (2041, "BaseEventType", 58, true),
        (2052, "AuditEventType", 2041, true),
        (2130, "SystemEventType", 2041, true),
        (2131, "DeviceFailureEventType", 2130, true),
        (2132, "BaseModelChangeEventType", 2041, true),
        (11436, "ProgressEventType", 2041, false),
        (2787, "RefreshStartEventType", 2130, false),
        (2788, "RefreshEndEventType", 2130, false),
        (2789, "RefreshRequiredEventType", 2130, false),
        (2311, "TransitionEventType", 2041, false),
        (2782, "ConditionType", 2041, true),
        (2830, "DialogConditionType", 2782, false),
        (2881, "AcknowledgeableConditionType", 2782, false),
        (2915, "AlarmConditionType", 2881, false),
        (9341, "LimitAlarmType", 2915, false),
        (9482, "ExclusiveLimitAlarmType", 9341, false),
        (9906, "NonExclusiveLimitAlarmType", 9341, false),
        (10523, "DiscreteAlarmType", 2915, false),
        (10637, "OffNormalAlarmType", 10523, false),
        (11753, "SystemOffNormalAlarmType", 10637, false),
        (2299, "StateMachineType", 58, false),
        (2771, "FiniteStateMachineType", 2299, true),
        (2307, "StateType", 58, false),
        (2309, "InitialStateType", 2307, false),
        (2310, "TransitionType", 58, false),
        (17602, "BaseInterfaceType", 58, true),
    ];

    private static readonly (uint Id, string Name, uint Super, bool Abstract)[] VariableTypes =
    [
        (62, "BaseVariableType", 0, true),
        (63, "BaseDataVariableType", 62, false),
        (68, "PropertyType", 62, false),
        (2365, "DataItemType", 63, false),
        (15318, "BaseAnalogType", 2365, false),
        (2368, "AnalogItemType", 15318, false),
        (2755, "StateVariableType", 63, false),
        (2760, "FiniteStateVariableType", 2755, false),
        (2762, "TransitionVariableType", 63, false),
        (2767, "FiniteTransitionVariableType", 2762, false),
    ];

    private static readonly (uint Id, string Name)[] ModellingRules =
    [
        (78, "Mandatory"),
        (80, "Optional"),
        (83, "ExposesItsArray"),
        (11508, "OptionalPlaceholder"),
        (11510, "MandatoryPlaceholder"),
    ];

    private void AddBaseTypes()
    {
        foreach ((var id, var name, var super, var isAbstract, var symmetric, var inverse) in ReferenceTypes)
        {
            AddBaseType(new TypeNode(new NodeId(0, id), new QualifiedName(0, name), NodeClass.ReferenceType)
            {
                IsAbstract = isAbstract,
                Symmetric = symmetric,
                InverseName = inverse is null ? null : new LocalizedText(inverse),
            }, super);
        }

        foreach ((var nodeClass, var types) in new[]
        {
            (NodeClass.DataType, DataTypes),
            (NodeClass.ObjectType, ObjectTypes),
            (NodeClass.VariableType, VariableTypes),
        })
        {
            foreach ((var id, var name, var super, var isAbstract) in types)
            {
                AddBaseType(new TypeNode(new NodeId(0, id), new QualifiedName(0, name), nodeClass) { IsAbstract = isAbstract }, super);
            }
        }

        foreach ((var id, var name) in ModellingRules)
        {
            AddNode(new ObjectNode(new NodeId(0, id), new QualifiedName(0, name), new LocalizedText(name)));
            AddReferenceHalves(new NodeId(0, id), WellKnownNodes.HasTypeDefinition, WellKnownNodes.ModellingRuleType);
        }
    }

    private void AddBaseType(TypeNode node, uint supertype)
    {
        AddNode(node);
        if (supertype != 0)
        {
            AddReferenceHalves(new NodeId(0, supertype), WellKnownNodes.HasSubtype, node.NodeId);
        }
    }

    private void AddTypeFolders()
    {
        foreach ((var folder, var name, var root) in new[]
        {
            (WellKnownNodes.ObjectTypesFolder, "ObjectTypes", WellKnownNodes.BaseObjectType),
            (WellKnownNodes.VariableTypesFolder, "VariableTypes", WellKnownNodes.BaseVariableType),
            (WellKnownNodes.DataTypesFolder, "DataTypes", WellKnownNodes.BaseDataType),
            (WellKnownNodes.ReferenceTypesFolder, "ReferenceTypes", WellKnownNodes.References),
        })
        {
            AddFolder(WellKnownNodes.TypesFolder, folder, new QualifiedName(0, name));
            AddReferenceHalves(folder, WellKnownNodes.Organizes, root);
        }
    }
}
