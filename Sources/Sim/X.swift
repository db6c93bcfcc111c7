import Core
public enum SimX {}
